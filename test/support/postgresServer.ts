/**
 * A private PostgreSQL server for one test run (shared docs/POSTGRES-FACTS.md): initdb in a
 * temp folder, a free loopback port, `fsync=off`, trust auth for the superuser `flow`. The
 * server refuses to run as root, so as root it runs as the `postgres` user the Debian package
 * creates. `stop()` kills it and removes the folder; `kill()`/`start()` simulate a crash and
 * a restart on the same data and port.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface PostgresServer {
  readonly port: number;
  /** `postgres://flow@127.0.0.1:PORT/DB` (database `postgres` unless given). */
  url(database?: string, user?: string): string;
  /** Runs SQL as the superuser through psql and returns its unaligned output. */
  psql(sql: string, database?: string): string;
  /** A fresh empty database with a unique name; returns its name. */
  createDatabase(): string;
  /** Makes `role` (created with `password`) log in over TCP only with that password (SCRAM). */
  requirePassword(role: string, password: string): void;
  /** Stops the server at once (`-m immediate`, like a crash), keeping its data. */
  kill(): void;
  /** Starts it again on the same port and data. */
  start(): void;
  /** Stops and removes everything. Safe to call twice. */
  stop(): void;
}

const VERSIONS = ['17', '16', '15', '14', '13'];

/** Where initdb and pg_ctl are, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  for (const version of VERSIONS) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (fs.existsSync(path.join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

function quoteShell(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Where the server's folder goes: the temp folder, unless the `postgres` user cannot reach it
 * (code-server gives the extension host a private TMPDIR with mode 700): then /tmp.
 */
function serverParent(): string {
  const tmp = os.tmpdir();
  for (let dir = tmp; ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) return '/tmp';
    if (path.dirname(dir) === dir) return tmp;
  }
}

let databaseCounter = 0;
let shared: Promise<PostgresServer> | undefined;

/**
 * One server for every suite in this process that asks for it (started on first use,
 * ~1.5 s); stopped by `stopSharedPostgres` (a root `after` hook) or at process exit.
 */
export function sharedPostgres(): Promise<PostgresServer> {
  shared ??= startPostgres();
  return shared;
}

export async function stopSharedPostgres(): Promise<void> {
  const server = shared;
  shared = undefined;
  if (server) (await server).stop();
}

/**
 * A root `after` hook stopping the shared server, with time for a start still under way on a
 * loaded machine (mocha's default 10 s is not enough there).
 */
export function stopSharedPostgresAfterAll(): void {
  after(async function () {
    this.timeout(120_000);
    await stopSharedPostgres();
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: run `bash scripts/install-test-env.sh` (it installs Debian\'s postgresql)');
  const root = fs.mkdtempSync(path.join(serverParent(), 'flow-history-pg-'));
  fs.chmodSync(root, 0o755);
  const home = path.join(root, 'pg');
  fs.mkdirSync(home);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres:postgres', home]);
  const data = path.join(home, 'data');
  const log = path.join(home, 'log');
  const port = await freePort();

  const run = (command: string, args: string[]): void => {
    const line = [path.join(bin, command), ...args].map(quoteShell).join(' ');
    const result = asRoot ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', line], { encoding: 'utf8' }) : spawnSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
    if (result.status !== 0) {
      const logText = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${command} failed (${result.status}): ${result.stderr}${result.stdout}\n${logText}`);
    }
  };
  // fsync=off: nothing waits for the disk. synchronous_commit stays on, so a commit is in the
  // WAL (written, not flushed) before it returns and survives `kill()` (an immediate stop).
  const start = (): void =>
    run('pg_ctl', ['-D', data, '-l', log, '-w', 'start', '-o', `-p ${port} -k ${home} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`]);

  let stopped = false;
  let running = false;
  try {
    run('initdb', ['-D', data, '-U', 'flow', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    start();
    running = true;
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const url = (database = 'postgres', user = 'flow'): string => `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const server: PostgresServer = {
    port,
    url,
    psql(sql: string, database?: string): string {
      return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url(database), '-c', sql], { encoding: 'utf8' });
    },
    createDatabase(): string {
      const name = `t${process.pid}_${++databaseCounter}`;
      server.psql(`CREATE DATABASE ${name}`);
      return name;
    },
    requirePassword(role: string, password: string): void {
      server.psql(`SET password_encryption = 'scram-sha-256'; CREATE ROLE "${role}" LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
      const hba = path.join(data, 'pg_hba.conf');
      fs.writeFileSync(hba, `host all "${role}" 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, 'utf8')}`);
      server.psql('SELECT pg_reload_conf()');
    },
    kill(): void {
      if (!running) return;
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      running = false;
    },
    start(): void {
      if (running) return;
      start();
      running = true;
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      try {
        server.kill();
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
  // A test run that dies anyway must not leave a server behind.
  process.once('exit', () => {
    try {
      server.stop();
    } catch {
      // exiting
    }
  });
  return server;
}
