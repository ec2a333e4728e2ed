/** The extension host of a code-server the bench started, seen from outside: its RSS. */
import * as fs from 'fs';

/** RSS in MiB of the extension host: the process of code-server's group started as one. */
export function extensionHostRss(groupId: number, label?: string): number {
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== groupId) continue; // pgrp
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/extensionHost/.test(cmdline)) continue;
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      // BENCH_SMAPS_DIR: keeps the host's memory map at each labelled reading, to see what grew.
      if (label && process.env.BENCH_SMAPS_DIR) fs.writeFileSync(`${process.env.BENCH_SMAPS_DIR}/${label}.smaps`, fs.readFileSync(`/proc/${pid}/smaps`));
      if (rss) return Number(rss[1]) / 1024;
    } catch {
      // the process ended meanwhile
    }
  }
  throw new Error(`No extension host process found in process group ${groupId}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
