/**
 * Marching squares: the contour lines (level sets) of a function sampled on a grid. Used by
 * svg-plot.ts to draw loss surfaces under optimizer trajectories.
 */

/** A point in grid coordinates: (column, row), fractional between grid points. */
export type Point = [number, number];

/**
 * Marching squares: the level set f = level on a grid of values (row-major, nx × ny, row j
 * at y_j), as polylines in grid coordinates. Each cell's crossings are found on its edges by
 * linear interpolation; a saddle cell is resolved by the value at its centre.
 */
export function marchingSquares(values: Float64Array, nx: number, ny: number, level: number): Point[][] {
  const at = (i: number, j: number): number => values[j * nx + i];
  // Interpolated from the lower-indexed end, so both cells sharing an edge get the very same
  // point (segments are joined by their end points below).
  const cross = (ia: number, ja: number, ib: number, jb: number): Point => {
    const va = at(ia, ja);
    const t = (level - va) / (at(ib, jb) - va);
    return [ia + t * (ib - ia), ja + t * (jb - ja)];
  };
  const segments: [Point, Point][] = [];
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const corners = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
      const above = corners.map((v) => v > level);
      // Edges in order around the cell: bottom, right, top, left.
      const edges: (Point | null)[] = [
        above[0] !== above[1] ? cross(i, j, i + 1, j) : null,
        above[1] !== above[2] ? cross(i + 1, j, i + 1, j + 1) : null,
        above[3] !== above[2] ? cross(i, j + 1, i + 1, j + 1) : null,
        above[0] !== above[3] ? cross(i, j, i, j + 1) : null,
      ];
      const hits = edges.filter((e): e is Point => e !== null);
      if (hits.length === 2) {
        // A grid value exactly at the level gives a crossing at that corner on two edges: no segment.
        if (hits[0][0] !== hits[1][0] || hits[0][1] !== hits[1][1]) segments.push([hits[0], hits[1]]);
      } else if (hits.length === 4) {
        const centerAbove = corners.reduce((a, b) => a + b, 0) / 4 > level;
        // Corner 1 (between edges 0 and 1) is cut off when it lies on the other side from the centre.
        if (above[1] !== centerAbove) segments.push([edges[0]!, edges[1]!], [edges[2]!, edges[3]!]);
        else segments.push([edges[1]!, edges[2]!], [edges[3]!, edges[0]!]);
      }
    }
  }
  return joinSegments(segments);
}

/** Chains segments that share end points into polylines (smaller files, smoother joins). */
function joinSegments(segments: [Point, Point][]): Point[][] {
  const key = (p: Point): string => `${p[0]},${p[1]}`;
  const byPoint = new Map<string, number[]>();
  segments.forEach(([a, b], s) => {
    for (const p of [a, b]) {
      const list = byPoint.get(key(p));
      if (list) list.push(s);
      else byPoint.set(key(p), [s]);
    }
  });
  const used = new Uint8Array(segments.length);
  const extend = (line: Point[]): void => {
    for (;;) {
      const end = line[line.length - 1];
      const next = (byPoint.get(key(end)) ?? []).find((s) => !used[s]);
      if (next === undefined) return;
      used[next] = 1;
      const [a, b] = segments[next];
      line.push(key(a) === key(end) ? b : a);
    }
  };
  const lines: Point[][] = [];
  segments.forEach(([a, b], s) => {
    if (used[s]) return;
    used[s] = 1;
    const forward: Point[] = [a, b];
    extend(forward);
    const backward: Point[] = [a];
    extend(backward);
    lines.push([...backward.reverse(), ...forward.slice(1)]);
  });
  return lines;
}
