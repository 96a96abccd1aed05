// A catalogue of filters. Each case states its expected ids twice: as a predicate over the data
// (written from Qdrant's documented semantics) and as a literal list; the two must agree before
// the server is asked. The server must then return exactly those ids from scroll and count.
//
// Semantics followed (Qdrant): a key selects values; `a.b` walks objects only, `a[].b` walks
// array elements; match/range test each element of an array value ("any"); a missing key
// never matches match/range, while is_empty/values_count treat it as empty / 0 values.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ids, startServer } from './harness.mjs';
import { haversine } from './vectors.mjs';

const BERLIN = { lat: 52.52, lon: 13.405 };
const DATA = [
  { id: 1, vector: { image: [1, 0], text: [1, 0] }, payload: {
    city: 'Berlin', count: 1, price: 10.5, active: true, description: 'the quick brown fox',
    created_at: '2024-01-15T10:00:00Z', tags: ['a', 'b'], meta: { source: 'web', score: 5 },
    items: [{ sku: 'A1', qty: 2 }, { sku: 'B2', qty: 7 }], location: { lat: 52.52, lon: 13.405 } } },
  { id: 2, vector: { image: [0, 1], text: [0, 1] }, payload: {
    city: ['Berlin', 'London'], count: 2, price: [5, 25], active: false, description: 'lazy dog sleeps',
    created_at: '2024-02-20T12:30:00Z', tags: ['a'], meta: { source: 'app', score: 3 },
    items: [{ sku: 'A1', qty: 9 }], location: { lat: 51.5072, lon: -0.1276 } } },
  { id: 3, vector: { image: [1, 1], text: [1, 1] }, payload: {
    city: 'London', count: 3, price: 19.99, active: true, description: 'Quick thinking',
    created_at: '2024-03-01T00:00:00Z', tags: [], meta: { source: 'web' },
    items: [{ sku: 'C3', qty: 1 }], location: { lat: 48.8566, lon: 2.3522 } } },
  { id: 4, vector: { image: [2, 1], text: [2, 1] }, payload: {
    city: 'Moscow', count: 3, price: 20, active: false, description: 'a quick fix',
    created_at: '2024-05-31T23:59:59Z', tags: null, location: { lat: 55.7558, lon: 37.6173 } } },
  { id: 5, vector: { image: [1, 2], text: [1, 2] }, payload: {
    city: null, count: 5, price: 0, active: true, created_at: '2024-06-01T00:00:00Z',
    tags: ['b', 'c', 'd'], meta: { source: 'app', score: 9 }, items: [],
    location: { lat: 52.3906, lon: 13.0645 } } },
  { id: 6, vector: { image: [3, 1], text: [3, 1] }, payload: {
    city: [], count: 6, price: -3.5, tags: ['c'], items: [{ sku: 'B2', qty: 5 }, { sku: 'A1', qty: 1 }] } },
  { id: 7, vector: { image: [1, 3], text: [1, 3] }, payload: {
    count: 7, active: false, description: 'quickly', created_at: '2023-12-31T23:00:00-02:00',
    meta: { source: 'web', score: 1 }, location: { lat: -33.8688, lon: 151.2093 } } },
  { id: 8, vector: { image: [3, 3], text: [3, 3] }, payload: {
    city: 'Berlin', count: 8, price: 15, active: true, created_at: '2024-04-10T08:00:00Z',
    tags: ['a', 'b', 'c'], items: [{ sku: 'A1', qty: 5 }], location: { lat: 52.5, lon: 13.3 } } },
  { id: 9, vector: { text: [4, 1] }, payload: {
    city: 'Paris', count: 9, price: [12, 30], tags: ['d'], location: { lat: 40.7128, lon: -74.006 } } },
  { id: 10, vector: { image: [1, 4] }, payload: {
    city: 'london', count: 10, price: 100, active: true, tags: ['e', null] } },
  { id: 11, vector: { image: [4, 4], text: [4, 4] }, payload: {} },
];
const ALL_IDS = DATA.map((p) => p.id);

// Values at a key, following Qdrant's JSON path rules (see header).
function at(payload, key) {
  let current = [payload];
  for (const part of key.split('.')) {
    const wildcard = part.endsWith('[]');
    const name = wildcard ? part.slice(0, -2) : part;
    const next = [];
    for (const v of current) {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !(name in v)) continue;
      const child = v[name];
      if (wildcard) {
        if (Array.isArray(child)) next.push(...child);
      } else next.push(child);
    }
    current = next;
  }
  return current;
}
// Elements tested by match/range: array values are expanded one level.
const elems = (payload, key) => at(payload, key).flatMap((v) => (Array.isArray(v) ? v : [v]));
const has = (payload, key, value) => elems(payload, key).some((v) => v === value);
const inRange = (payload, key, lo, hi, { loIncl = true, hiIncl = false } = {}) =>
  elems(payload, key).some((v) => typeof v === 'number' &&
    (lo === undefined || (loIncl ? v >= lo : v > lo)) && (hi === undefined || (hiIncl ? v <= hi : v < hi)));
const time = (s) => Date.parse(s);
const countOf = (v) => (v === null ? 0 : Array.isArray(v) ? v.length : 1);
// values_count over a key: a missing key counts as 0 values.
const valuesCount = (payload, key, test) => {
  const vs = at(payload, key);
  return vs.length === 0 ? test(0) : vs.some((v) => test(countOf(v)));
};
// is_empty: every selected value is null or [] (vacuously true for a missing key).
const isEmpty = (payload, key) =>
  at(payload, key).every((v) => v === null || (Array.isArray(v) && v.length === 0));
// is_null: a selected value is null itself (an array holding a null is not null).
const isNull = (payload, key) => at(payload, key).some((v) => v === null);
// match except: some element is not one of the listed values (null never matches).
const except = (payload, key, list) =>
  elems(payload, key).some((v) => v !== null && !list.includes(v));

function pointInPolygon(lon, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = [ring[i].lon, ring[i].lat];
    const [xj, yj] = [ring[j].lon, ring[j].lat];
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
const box = (lon0, lat0, lon1, lat1) =>
  [{ lon: lon0, lat: lat0 }, { lon: lon1, lat: lat0 }, { lon: lon1, lat: lat1 }, { lon: lon0, lat: lat1 }, { lon: lon0, lat: lat0 }];
const EUROPE = box(0, 45, 20, 56);
const BERLIN_HOLE = box(13.2, 52.4, 13.6, 52.6);

const match = (key, value) => ({ key, match: { value } });

const CASES = [
  { name: 'match keyword (also inside arrays)', filter: { must: [match('city', 'Berlin')] },
    pred: (p) => has(p, 'city', 'Berlin'), ids: [1, 2, 8] },
  { name: 'match integer', filter: { must: [match('count', 3)] },
    pred: (p) => has(p, 'count', 3), ids: [3, 4] },
  { name: 'match bool', filter: { must: [match('active', true)] },
    pred: (p) => has(p, 'active', true), ids: [1, 3, 5, 8, 10] },
  { name: 'match any (keywords, case-sensitive)', filter: { must: [{ key: 'city', match: { any: ['London', 'Moscow'] } }] },
    pred: (p) => has(p, 'city', 'London') || has(p, 'city', 'Moscow'), ids: [2, 3, 4] },
  { name: 'match any (integers)', filter: { must: [{ key: 'count', match: { any: [1, 7, 99] } }] },
    pred: (p) => [1, 7, 99].some((v) => has(p, 'count', v)), ids: [1, 7] },
  { name: 'match except (keywords)', filter: { must: [{ key: 'city', match: { except: ['Berlin', 'London'] } }] },
    pred: (p) => except(p, 'city', ['Berlin', 'London']), ids: [4, 9, 10] },
  { name: 'match except (integers)', filter: { must: [{ key: 'count', match: { except: [1, 2, 3] } }] },
    pred: (p) => except(p, 'count', [1, 2, 3]), ids: [5, 6, 7, 8, 9, 10] },
  { name: 'match text (substring without a text index)', filter: { must: [{ key: 'description', match: { text: 'quick' } }] },
    pred: (p) => elems(p, 'description').some((v) => typeof v === 'string' && v.includes('quick')), ids: [1, 4, 7] },
  { name: 'range gte/lt over numbers and number arrays', filter: { must: [{ key: 'price', range: { gte: 10, lt: 20 } }] },
    pred: (p) => inRange(p, 'price', 10, 20), ids: [1, 3, 8, 9] },
  { name: 'range gt/lte', filter: { must: [{ key: 'price', range: { gt: 19.99, lte: 100 } }] },
    pred: (p) => inRange(p, 'price', 19.99, 100, { loIncl: false, hiIncl: true }), ids: [2, 4, 9, 10] },
  { name: 'datetime range gte/lt (RFC 3339)',
    filter: { must: [{ key: 'created_at', range: { gte: '2024-02-20T12:30:00Z', lt: '2024-06-01T00:00:00Z' } }] },
    pred: (p) => elems(p, 'created_at').some((v) => typeof v === 'string' &&
      time(v) >= time('2024-02-20T12:30:00Z') && time(v) < time('2024-06-01T00:00:00Z')), ids: [2, 3, 4, 8] },
  { name: 'datetime range compares instants across time zones (lte)',
    filter: { must: [{ key: 'created_at', range: { lte: '2024-01-01T02:00:00+01:00' } }] },
    pred: (p) => elems(p, 'created_at').some((v) => typeof v === 'string' && time(v) <= time('2024-01-01T01:00:00Z')), ids: [7] },
  { name: 'datetime range compares instants across time zones (gt)',
    filter: { must: [{ key: 'created_at', range: { gt: '2024-01-01T02:00:00+01:00' } }] },
    pred: (p) => elems(p, 'created_at').some((v) => typeof v === 'string' && time(v) > time('2024-01-01T01:00:00Z')), ids: [1, 2, 3, 4, 5, 8] },
  { name: 'values_count gte', filter: { must: [{ key: 'tags', values_count: { gte: 2 } }] },
    pred: (p) => valuesCount(p, 'tags', (n) => n >= 2), ids: [1, 5, 8, 10] },
  { name: 'values_count lt counts a missing key as 0', filter: { must: [{ key: 'tags', values_count: { lt: 1 } }] },
    pred: (p) => valuesCount(p, 'tags', (n) => n < 1), ids: [3, 4, 7, 11] },
  { name: 'is_empty: missing, null or []', filter: { must: [{ is_empty: { key: 'tags' } }] },
    pred: (p) => isEmpty(p, 'tags'), ids: [3, 4, 7, 11] },
  { name: 'is_empty on another key', filter: { must: [{ is_empty: { key: 'city' } }] },
    pred: (p) => isEmpty(p, 'city'), ids: [5, 6, 7, 11] },
  { name: 'is_null: null, not missing, not an array holding null', filter: { must: [{ is_null: { key: 'tags' } }] },
    pred: (p) => isNull(p, 'tags'), ids: [4] },
  { name: 'is_null on another key', filter: { must: [{ is_null: { key: 'city' } }] },
    pred: (p) => isNull(p, 'city'), ids: [5] },
  { name: 'must_not is_empty', filter: { must_not: [{ is_empty: { key: 'city' } }] },
    pred: (p) => !isEmpty(p, 'city'), ids: [1, 2, 3, 4, 8, 9, 10] },
  { name: 'has_id (unknown ids ignored)', filter: { must: [{ has_id: [1, 3, 5, 100] }] },
    pred: (p, id) => [1, 3, 5, 100].includes(id), ids: [1, 3, 5] },
  { name: 'has_vector image', filter: { must: [{ has_vector: 'image' }] },
    pred: (p, id, v) => 'image' in v, ids: [1, 2, 3, 4, 5, 6, 7, 8, 10, 11] },
  { name: 'must_not has_vector text', filter: { must_not: [{ has_vector: 'text' }] },
    pred: (p, id, v) => !('text' in v), ids: [10] },
  { name: 'nested key a.b', filter: { must: [match('meta.source', 'web')] },
    pred: (p) => has(p, 'meta.source', 'web'), ids: [1, 3, 7] },
  { name: 'nested key a.b with range', filter: { must: [{ key: 'meta.score', range: { gte: 3 } }] },
    pred: (p) => inRange(p, 'meta.score', 3, undefined), ids: [1, 2, 5] },
  { name: 'array of objects a[].b', filter: { must: [match('items[].sku', 'A1')] },
    pred: (p) => has(p, 'items[].sku', 'A1'), ids: [1, 2, 6, 8] },
  { name: 'a[].b conditions may match different elements',
    filter: { must: [match('items[].sku', 'A1'), { key: 'items[].qty', range: { gte: 5 } }] },
    pred: (p) => has(p, 'items[].sku', 'A1') && inRange(p, 'items[].qty', 5, undefined), ids: [1, 2, 6, 8] },
  { name: 'nested condition: all sub-conditions on the same element',
    filter: { must: [{ nested: { key: 'items', filter: { must: [match('sku', 'A1'), { key: 'qty', range: { gte: 5 } }] } } }] },
    pred: (p) => (Array.isArray(p.items) ? p.items : []).some((it) => it.sku === 'A1' && it.qty >= 5), ids: [2, 8] },
  { name: 'geo radius (50 km around Berlin)',
    filter: { must: [{ key: 'location', geo_radius: { center: BERLIN, radius: 50000 } }] },
    pred: (p) => p.location !== undefined && haversine(BERLIN.lat, BERLIN.lon, p.location.lat, p.location.lon) < 50000,
    ids: [1, 5, 8] },
  { name: 'geo bounding box',
    filter: { must: [{ key: 'location', geo_bounding_box: { top_left: { lat: 56, lon: -1 }, bottom_right: { lat: 48, lon: 14 } } }] },
    pred: (p) => p.location !== undefined && p.location.lat > 48 && p.location.lat < 56 &&
      p.location.lon > -1 && p.location.lon < 14, ids: [1, 2, 3, 5, 8] },
  { name: 'geo polygon with a hole',
    filter: { must: [{ key: 'location', geo_polygon: { exterior: { points: EUROPE }, interiors: [{ points: BERLIN_HOLE }] } }] },
    pred: (p) => p.location !== undefined && pointInPolygon(p.location.lon, p.location.lat, EUROPE) &&
      !pointInPolygon(p.location.lon, p.location.lat, BERLIN_HOLE), ids: [3, 5] },
  { name: 'must + must_not', filter: { must: [match('active', true)], must_not: [match('city', 'Berlin')] },
    pred: (p) => has(p, 'active', true) && !has(p, 'city', 'Berlin'), ids: [3, 5, 10] },
  { name: 'should (any of)', filter: { should: [match('city', 'Moscow'), { key: 'count', range: { gte: 9 } }] },
    pred: (p) => has(p, 'city', 'Moscow') || inRange(p, 'count', 9, undefined), ids: [4, 9, 10] },
  { name: 'must + should', filter: { must: [match('active', true)], should: [match('city', 'London'), match('tags', 'c')] },
    pred: (p) => has(p, 'active', true) && (has(p, 'city', 'London') || has(p, 'tags', 'c')), ids: [3, 5, 8] },
  { name: 'min_should (2 of 3)',
    filter: { min_should: { conditions: [
      { key: 'city', match: { any: ['Berlin', 'London'] } }, match('active', true), match('tags', 'a'),
    ], min_count: 2 } },
    pred: (p) => [has(p, 'city', 'Berlin') || has(p, 'city', 'London'), has(p, 'active', true), has(p, 'tags', 'a')]
      .filter(Boolean).length >= 2, ids: [1, 2, 3, 8] },
  { name: 'a filter nested as a condition',
    filter: { must: [{ should: [match('city', 'Moscow'), match('city', 'Paris')] }, { must_not: [{ has_id: [9] }] }] },
    pred: (p, id) => (has(p, 'city', 'Moscow') || has(p, 'city', 'Paris')) && id !== 9, ids: [4] },
  { name: 'must_not only', filter: { must_not: [{ key: 'city', match: { any: ['Berlin', 'London'] } }] },
    pred: (p) => !(has(p, 'city', 'Berlin') || has(p, 'city', 'London')), ids: [4, 5, 6, 7, 9, 10, 11] },
  { name: 'empty filter matches everything', filter: {},
    pred: () => true, ids: ALL_IDS },
  { name: 'a single condition object instead of a list', filter: { must: match('city', 'London') },
    pred: (p) => has(p, 'city', 'London'), ids: [2, 3] },
];

describe('filters', () => {
  let srv;
  let client;
  const C = 'filters';
  before(async () => {
    srv = await startServer();
    client = srv.client;
    await client.createCollection(C, {
      vectors: { image: { size: 2, distance: 'Dot' }, text: { size: 2, distance: 'Dot' } },
    });
    await client.upsert(C, { wait: true, points: DATA });
  });
  after(async () => {
    await srv?.cleanup();
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const computed = DATA.filter((p) => c.pred(p.payload, p.id, p.vector)).map((p) => p.id);
      assert.deepEqual(computed, c.ids, 'test data self-check: predicate and literal ids disagree');

      const { points, next_page_offset: next } = await client.scroll(C, {
        filter: c.filter, limit: 100, with_payload: false,
      });
      assert.deepEqual(ids(points), c.ids, `scroll with ${JSON.stringify(c.filter)}`);
      assert.ok(next == null);
      const { count } = await client.count(C, { filter: c.filter, exact: true });
      assert.equal(count, c.ids.length, 'count');
    });
  }

  test('a filtered vector search only returns matching points', async () => {
    const filter = { must: [match('city', 'Berlin')] };
    const { points } = await client.query(C, { query: [1, 2], using: 'image', filter, limit: 10 });
    // image·[1,2]: id8 [3,3] -> 9, id2 [0,1] -> 2, id1 [1,0] -> 1
    assert.deepEqual(ids(points), [8, 2, 1]);
    assert.deepEqual(points.map((p) => p.score), [9, 2, 1]);
  });

  test('the legacy top-level "key + is_empty" form is the same filter', async () => {
    // test_basic_retrieve_api.py: {"key": "city", "is_empty": true} equals {"is_empty": {"key": "city"}}
    const a = await client.scroll(C, { filter: { must: [{ key: 'city', is_empty: true }] }, limit: 100 });
    assert.deepEqual(ids(a.points), [5, 6, 7, 11]);
    const b = await client.scroll(C, { filter: { must: [{ key: 'city', is_null: true }] }, limit: 100 });
    assert.deepEqual(ids(b.points), [5]);
  });

  test('a field condition with no condition is rejected with 422', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/scroll`, {
      filter: { must: [{ key: 'city' }] },
    });
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.status.error, /Validation error in JSON body/);
  });

  test('min_should without min_count is 400', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/scroll`, {
      filter: { min_should: { conditions: [match('city', 'Berlin')] } },
    });
    assert.equal(res.status, 400, res.text);
  });
});
