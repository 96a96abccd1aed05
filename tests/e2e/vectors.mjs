// Reference scoring in plain JS, written from Qdrant's documented semantics, to compute the
// results the server must return.

export const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
export const norm = (a) => Math.sqrt(dot(a, a));
export const normalize = (a) => {
  const n = norm(a);
  return n === 0 ? a.slice() : a.map((x) => x / n);
};
export const euclid = (a, b) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
export const manhattan = (a, b) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0);
export const cosine = (a, b) => dot(normalize(a), normalize(b));

/**
 * Score of stored vector `v` for query `q` under `distance`, as Qdrant reports it:
 * Cosine and Dot are similarities (higher first); Euclid and Manhattan are distances
 * (lower first).
 */
export function score(distance, q, v) {
  switch (distance) {
    case 'Cosine': return cosine(q, v);
    case 'Dot': return dot(q, v);
    case 'Euclid': return euclid(q, v);
    case 'Manhattan': return manhattan(q, v);
    default: throw new Error(`unknown distance ${distance}`);
  }
}

export const higherIsBetter = (distance) => distance === 'Cosine' || distance === 'Dot';

/**
 * Ranks `points` ([{id, vector}]) for query `q`: [{id, score}] best first, ties by id.
 * `threshold` keeps score >= t for similarities and score <= t for distances.
 */
export function rank(distance, q, points, { threshold } = {}) {
  const better = higherIsBetter(distance);
  let scored = points.map((p) => ({ id: p.id, score: score(distance, q, p.vector) }));
  if (threshold !== undefined) {
    scored = scored.filter((s) => (better ? s.score >= threshold : s.score <= threshold));
  }
  scored.sort((a, b) => (better ? b.score - a.score : a.score - b.score) || a.id - b.id);
  return scored;
}

/** Sparse dot product over shared indices. */
export function sparseDot(a, b) {
  const m = new Map(a.indices.map((idx, i) => [idx, a.values[i]]));
  let s = 0;
  let overlap = false;
  b.indices.forEach((idx, i) => {
    if (m.has(idx)) {
      overlap = true;
      s += m.get(idx) * b.values[i];
    }
  });
  return { score: s, overlap };
}

/** ColBERT-style max_sim with a per-pair similarity: sum over query rows of the best match. */
export function maxSim(query, doc, sim = dot) {
  return query.reduce((s, q) => s + Math.max(...doc.map((d) => sim(q, d))), 0);
}

/** Qdrant's fast sigmoid and its (0, 1) scaled form. */
export const fastSigmoid = (x) => x / (1 + Math.abs(x));
export const scaledFastSigmoid = (x) => 0.5 * (fastSigmoid(x) + 1);

/** Distance on the sphere in metres (haversine, mean Earth radius). */
export function haversine(lat1, lon1, lat2, lon2) {
  const R = 6371008.8;
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}
