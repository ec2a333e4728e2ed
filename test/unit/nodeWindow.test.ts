/**
 * The pure part of the panel's windowed node list (media/detail/nodeIndex.ts): the scroll
 * geometry from row heights, which rows a viewport needs, and the filter's index, checked
 * against the exact filter (parse and walk every value) on arbitrary JSON.
 */
import * as assert from 'assert';
import fc from 'fast-check';
import { NodeFilterIndex, RowLayout } from '../../media/detail/nodeIndex';
import { fold, Query } from '../../media/detail/query';
import { JsonNumber, JsonValue, newObject, parseJson, stringifyJson } from '../../src/core/json';

describe('RowLayout (windowed node list geometry)', () => {
  it('places rows by measured heights and the estimate for the rest', () => {
    const layout = new RowLayout(5, 40);
    assert.strictEqual(layout.totalHeight, 200);
    assert.ok(layout.setHeight(1, 100));
    assert.ok(!layout.setHeight(1, 100.2), 'a sub-pixel change is no change');
    assert.deepStrictEqual([0, 1, 2, 3, 4, 5].map((p) => layout.offsetOf(p)), [0, 40, 140, 180, 220, 260]);
    assert.strictEqual(layout.heightBetween(1, 3), 140);
    assert.ok(layout.setEstimate(30));
    assert.strictEqual(layout.totalHeight, 30 + 100 + 30 * 3, 'the estimate changes unmeasured rows only');
    assert.ok(layout.isMeasured(1) && !layout.isMeasured(0));
  });

  it('finds the row under a point by binary search, clamped to the list', () => {
    const layout = new RowLayout(20_000, 34);
    assert.strictEqual(layout.positionAt(-5), 0);
    assert.strictEqual(layout.positionAt(0), 0);
    assert.strictEqual(layout.positionAt(33.9), 0);
    assert.strictEqual(layout.positionAt(34), 1);
    assert.strictEqual(layout.positionAt(34 * 12_345 + 1), 12_345);
    assert.strictEqual(layout.positionAt(1e9), 19_999);
  });

  it('asks for the rows on screen plus the overscan, never more than the cap', () => {
    const layout = new RowLayout(20_000, 40);
    assert.deepStrictEqual(layout.range(0, 800, 400, 150), { start: 0, end: 31 });
    assert.deepStrictEqual(layout.range(40_000, 40_800, 400, 150), { start: 990, end: 1031 });
    // The end of the list: the last row is in.
    const end = layout.totalHeight;
    assert.deepStrictEqual(layout.range(end - 800, end, 400, 150), { start: 19_970, end: 20_000 });
    // Rows of 1 px: capped, around the viewport's first row.
    const tiny = new RowLayout(20_000, 1);
    const capped = tiny.range(10_000, 10_900, 900, 150);
    assert.strictEqual(capped.end - capped.start, 150);
    assert.ok(capped.start <= 10_000 && capped.end > 10_000, JSON.stringify(capped));
    // Scrolled past the list (the page's header or context on screen): one row stays.
    assert.deepStrictEqual(layout.range(end + 5_000, end + 5_800, 400, 150), { start: 19_999, end: 20_000 });
    assert.deepStrictEqual(layout.range(-5_000, -4_200, 400, 150), { start: 0, end: 1 });
    assert.deepStrictEqual(new RowLayout(0, 40).range(0, 800, 400, 150), { start: 0, end: 0 });
  });

  it('lays out a filtered order: positions, offsets, and nodes not shown', () => {
    const layout = new RowLayout(10, 10);
    layout.setHeight(7, 50);
    layout.setOrder([2, 7, 9]);
    assert.strictEqual(layout.length, 3);
    assert.deepStrictEqual([0, 1, 2].map((p) => layout.nodeAt(p)), [2, 7, 9]);
    assert.deepStrictEqual([2, 7, 9, 3].map((n) => layout.positionOf(n)), [0, 1, 2, -1]);
    assert.strictEqual(layout.totalHeight, 70);
    assert.strictEqual(layout.positionOf(99), -1);
    // A node not shown changes height: the layout shown is unchanged.
    layout.setHeight(3, 500);
    assert.strictEqual(layout.totalHeight, 70);
  });

  it("grows for a wide run's later nodes: measured heights kept, the new ones shown once ordered", () => {
    const layout = new RowLayout(3, 10);
    layout.setHeight(1, 50);
    layout.grow(6);
    assert.strictEqual(layout.count, 6);
    assert.strictEqual(layout.length, 3, 'not shown before the order says so');
    assert.strictEqual(layout.positionOf(4), -1);
    layout.setOrder([0, 1, 2, 3, 4, 5]);
    assert.strictEqual(layout.totalHeight, 50 + 5 * 10);
    assert.strictEqual(layout.positionOf(4), 4);
    layout.grow(2);
    assert.strictEqual(layout.count, 6, 'never shrinks');
  });
});

/** The exact test the page falls back to (Section.matches): parse and walk the value. */
function exactMatch(id: string, text: string | undefined, query: Query): boolean {
  if (query.test(id)) return true;
  if (text === undefined) return false;
  if (!query.mayMatchJson(fold(text))) return false;
  return query.valueMatches(parseJson(text));
}

/** JSON over a small alphabet, so needles hit keys, values, numbers and syntax often. */
const letters = fc.constantFrom('a', 'b', 'A', 'Σ', 'ς', 'σ', '1', '.', 'e', '-', ' ', ':', ',', '"', '\\', '\n', 'İ', '[', '}', 'n', 'u', 'l', 't', 'r');
const word = fc.string({ unit: letters, maxLength: 6 });
const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -2000, max: 2000 }),
    fc.constantFrom(new JsonNumber('1.50'), new JsonNumber('1e5'), new JsonNumber('-0'), new JsonNumber('18446744073709551615')),
    word,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(word, tie('value')), { maxLength: 4 }).map((members) => {
      const o = newObject();
      for (const [k, v] of members) o[k] = v;
      return o;
    }),
  ),
})).value;

describe('NodeFilterIndex (the filter over all nodes)', () => {
  it('answers exactly like parsing every output, for any JSON and any needle', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: word, value: fc.option(jsonValue, { nil: undefined }), spaced: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        word.filter((w) => w.trim() !== ''),
        (nodes, needle) => {
          const texts = nodes.map((n) => (n.value === undefined ? undefined : n.spaced ? JSON.stringify(JSON.parse(stringifyJson(n.value)), null, 1) : stringifyJson(n.value)));
          const query = new Query(needle.trim());
          const index = new NodeFilterIndex(nodes.map((n, i) => ({ id: n.id, text: texts[i] })));
          const exact = nodes.map((n, i) => exactMatch(n.id, texts[i], query));
          const indexed = index.filter(query, (i) => exactMatch(nodes[i].id, texts[i], query));
          assert.deepStrictEqual(indexed, exact.flatMap((hit, i) => (hit ? [i] : [])));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('answers a plain needle over 20,000 outputs without the exact test', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => ({ id: `map_${i}`, text: `{"item":${i},"sku":"SKU-${i % 977}","ok":true,"tags":["acme","eu"]}` }));
    const index = new NodeFilterIndex(nodes);
    const exact = () => assert.fail('the exact test was needed');
    assert.deepStrictEqual(index.filter(new Query('MAP_12345'), exact), [12_345]);
    assert.strictEqual(index.filter(new Query('sku-976'), exact).length, Math.floor(20_000 / 977));
    assert.strictEqual(index.filter(new Query('acme'), exact).length, 20_000);
    assert.deepStrictEqual(index.filter(new Query('nothing-here'), exact), []);
    // Syntax in the needle: the index rules out what it can, the exact test decides the rest.
    let asked = 0;
    const hits = index.filter(new Query('"sku":"sku-976"'), (i) => {
      asked++;
      return exactMatch(nodes[i].id, nodes[i].text, new Query('"sku":"sku-976"'));
    });
    assert.strictEqual(asked, 0, 'outputs without escapes hold no quote in any key or value');
    assert.deepStrictEqual(hits, []);
    // A deferred output arrives: its text joins the index.
    index.setText(3, '{"late":"zebra"}');
    assert.deepStrictEqual(index.filter(new Query('zebra'), exact), [3]);
    index.setText(3, undefined);
    assert.deepStrictEqual(index.filter(new Query('zebra'), exact), []);
  });
});
