/**
 * One contract for every ExecutionStore: the seed's five tests (a3s_flow store.rs) plus
 * what the history browser relies on. Each implementation's suite calls defineStoreContract:
 * test/unit/stores.test.ts (memory, Node fs) and test/integration (vscode.workspace.fs).
 */
import * as assert from 'assert';
import { ExecutionStore, InvalidExecutionIdError, StoreChange } from '../../src/core/executionStore';
import { newExecutionId } from '../../src/core/executionId';
import { JsonNumber } from '../../src/core/json';
import { makeResult, obj } from './builders';

export interface StoreFactory {
  readonly name: string;
  create(): Promise<{ store: ExecutionStore; cleanup(): Promise<void> }>;
}

export function defineStoreContract(factory: StoreFactory): void {
  describe(`ExecutionStore contract: ${factory.name}`, () => {
    let store: ExecutionStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await factory.create());
    });
    afterEach(async () => cleanup());

    // The seed's five tests.
    it('save_and_load_round_trip', async () => {
      const r = makeResult();
      await store.save(r);
      const loaded = await store.load(r.executionId);
      assert.strictEqual(loaded?.executionId, r.executionId);
    });

    it('load_unknown_id_returns_none', async () => {
      assert.strictEqual(await store.load(newExecutionId()), undefined);
    });

    it('list_returns_all_saved_ids', async () => {
      const r1 = makeResult();
      const r2 = makeResult();
      await store.save(r1);
      await store.save(r2);
      const ids = await store.list();
      assert.strictEqual(ids.length, 2);
      assert.ok(ids.includes(r1.executionId));
      assert.ok(ids.includes(r2.executionId));
    });

    it('delete_removes_entry', async () => {
      const r = makeResult();
      await store.save(r);
      await store.delete(r.executionId);
      assert.strictEqual(await store.load(r.executionId), undefined);
      assert.deepStrictEqual(await store.list(), []);
    });

    it('save_overwrites_existing_entry', async () => {
      const r = makeResult();
      await store.save(r);
      await store.save({ ...r, outputs: obj({ x: 42 }) });
      const loaded = await store.load(r.executionId);
      assert.strictEqual(loaded?.outputs.x, 42);
      assert.strictEqual((await store.list()).length, 1);
    });

    // What the history browser adds.
    it('deleting an unknown id is a no-op', async () => {
      await store.delete(newExecutionId());
      assert.deepStrictEqual(await store.list(), []);
    });

    it('keeps every value exact, including integers beyond 2^53', async () => {
      const r = makeResult({
        outputs: obj({ big: new JsonNumber('18446744073709551615'), f: new JsonNumber('1.0'), s: 'é\n😀' }),
        completedNodes: ['big', 'f', 's'],
        context: obj({ t: new JsonNumber('1764000000000000001') }),
        extraFields: obj({ engine_version: '0.3.1' }),
      });
      await store.save(r);
      const loaded = await store.load(r.executionId);
      assert.strictEqual(String(loaded?.outputs.big), '18446744073709551615');
      assert.strictEqual(String(loaded?.outputs.f), '1.0');
      assert.strictEqual(loaded?.outputs.s, 'é\n😀');
      assert.strictEqual(String(loaded?.context.t), '1764000000000000001');
      assert.strictEqual(loaded?.extraFields.engine_version, '0.3.1');
    });

    it('accepts any UUID form for ids and normalises them', async () => {
      const r = makeResult();
      await store.save({ ...r, executionId: r.executionId.toUpperCase() });
      assert.deepStrictEqual(await store.list(), [r.executionId]);
      assert.ok(await store.load(`{${r.executionId.toUpperCase()}}`));
      assert.ok(await store.load(r.executionId.replace(/-/g, '')));
    });

    it('refuses ids that are not UUIDs', async () => {
      for (const bad of ['../x', '/etc/passwd', '%2f..', 'x', '']) {
        await assert.rejects(store.load(bad), InvalidExecutionIdError);
        await assert.rejects(store.delete(bad), InvalidExecutionIdError);
        await assert.rejects(store.save({ ...makeResult(), executionId: bad }), InvalidExecutionIdError);
      }
    });

    it('lists entries newest first with saved time and size', async () => {
      const a = makeResult();
      const b = makeResult();
      await store.save(a);
      await new Promise((resolve) => setTimeout(resolve, 15));
      await store.save(b);
      const entries = await store.listEntries();
      assert.deepStrictEqual(
        entries.map((e) => e.id),
        [b.executionId, a.executionId],
      );
      assert.ok(entries[0].savedAt >= entries[1].savedAt);
      assert.ok(entries.every((e) => e.size > 50));
      // The compact list (where a store builds one) holds exactly the same.
      if (store.listRuns) assert.deepStrictEqual((await store.listRuns()).toArray(), entries);
    });

    it('inspect tells a missing run from a present one', async () => {
      const r = makeResult();
      assert.strictEqual((await store.inspect(r.executionId)).kind, 'missing');
      await store.save(r);
      const outcome = await store.inspect(r.executionId);
      assert.strictEqual(outcome.kind, 'ok');
    });

    it('fires change events for its own saves and deletes', async () => {
      const changes: StoreChange[] = [];
      const subscription = store.onDidChange((e) => changes.push(e));
      const r = makeResult();
      await store.save(r);
      await store.delete(r.executionId);
      await store.delete(r.executionId); // unknown now: no event
      subscription.dispose();
      await store.save(makeResult());
      assert.deepStrictEqual(
        changes.map((c) => [c.saved, c.deleted]),
        [
          [[r.executionId], []],
          [[], [r.executionId]],
        ],
      );
    });

    it('returns copies: changing a loaded result does not change the store', async () => {
      const r = makeResult({ outputs: obj({ a: 1 }), completedNodes: ['a'] });
      await store.save(r);
      const loaded = await store.load(r.executionId);
      loaded!.outputs.a = 2;
      assert.strictEqual((await store.load(r.executionId))?.outputs.a, 1);
    });
  });
}

