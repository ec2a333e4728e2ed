// Delete safety, end to end. code-server has no trash (docs: VSCODE-FACTS.md), so a delete
// from the tree's context menu first offers the trash, then asks again in words that say
// "permanently"; cancelling that second question keeps the file, and so does cancelling the
// single "Permanently delete" question asked once the trash is known to be missing. Only
// "Delete Permanently" removes it. (Cancelling the first question and the full delete are
// also driven in history.e2e.ts.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { useWorkbench, Workbench } from './support';

const VICTIM = '0f8fad5b-d9cb-469f-a165-70867728950e';

async function until(what: string, check: () => boolean | Promise<boolean>, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Clicks a button of a modal that is followed by another modal; returns the next message. */
async function answerExpectingAnother(wb: Workbench, label: string, previous: string): Promise<string> {
  await wb.dialog().getByRole('button', { name: label, exact: true }).click();
  let message = previous;
  await until('the next question', async () => {
    message = await wb.dialogMessage().catch(() => previous);
    return message !== previous;
  });
  return message;
}

describe('delete safety: without a trash, only an explicit "Delete Permanently" deletes (e2e)', function () {
  this.timeout(180_000);
  const workbench = useWorkbench();
  let file: string;

  before(async () => {
    file = path.join(workbench().workspaceRoot, '.a3s', 'flow', 'executions', `${VICTIM}.json`);
    await workbench().openView('Flow History');
  });

  it('the trash question, then the "Permanently" question: Cancel there keeps the file', async () => {
    const wb = workbench();
    await wb.clickContextMenuItem(VICTIM.slice(0, 8), 'Delete Runs…');
    const first = await wb.dialogMessage();
    assert.strictEqual(first, `Move run ${VICTIM} to the trash?`);
    const second = await answerExpectingAnother(wb, 'Move to Trash', first);
    assert.strictEqual(second, `The trash is not available here. Permanently delete run ${VICTIM}?`);
    assert.ok(fs.existsSync(file), 'still there while the second question is open');
    await wb.screenshot('delete-safety permanently');
    await wb.clickDialogButton('Cancel');
    await wb.page.waitForTimeout(1000);
    assert.ok(fs.existsSync(file), 'Cancel on the "Permanently" question keeps the file');
    await wb.waitForTreeRow(VICTIM.slice(0, 8));
  });

  it('once the trash is known missing, one question that says "Permanently": Cancel keeps, Delete Permanently deletes', async () => {
    const wb = workbench();
    await wb.clickContextMenuItem(VICTIM.slice(0, 8), 'Delete Runs…');
    assert.strictEqual(await wb.dialogMessage(), `Permanently delete run ${VICTIM}?`);
    const buttons = await wb.dialog().getByRole('button').allInnerTexts();
    assert.ok(buttons.includes('Delete Permanently') && !buttons.includes('Move to Trash'), JSON.stringify(buttons));
    await wb.clickDialogButton('Cancel');
    await wb.page.waitForTimeout(1000);
    assert.ok(fs.existsSync(file), 'Cancel keeps the file');

    await wb.clickContextMenuItem(VICTIM.slice(0, 8), 'Delete Runs…');
    assert.strictEqual(await wb.dialogMessage(), `Permanently delete run ${VICTIM}?`);
    await wb.clickDialogButton('Delete Permanently');
    await until('the file is gone', () => !fs.existsSync(file));
    await until('the row is gone', async () => !(await wb.treeRows()).some((row) => row.startsWith(VICTIM.slice(0, 8))));
  });
});
