/**
 * Where the hover card goes: beside what it explains, never over it. Pure geometry (plain
 * rectangles, no DOM), so the rule is unit-tested in Node.
 */
export interface Rect { left: number; top: number; right: number; bottom: number }

const GAP = 10;
const MARGIN = 4;

/** The area two rectangles share. */
function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The card's top-left corner for a card of `width` x `height` in `view` (the page below the toolbar), given the
 * pointer and the boxes the card must not cover (the hovered element and its chain to the loss).
 *
 * Candidates, in order of preference: beside the union of the boxes (below, above, right, left,
 * aligned with the pointer), then around the pointer itself, then the view's corners. The first
 * that covers none of the boxes (nor anything in `prefer`) wins; otherwise the one that covers
 * least of the boxes, and of `prefer` after that.
 */
export function placeCard(
  width: number, height: number, pointer: { x: number; y: number }, avoid: readonly Rect[], view: Rect, prefer: readonly Rect[] = [],
): { x: number; y: number } {
  const clampX = (x: number): number => Math.max(view.left + MARGIN, Math.min(x, view.right - width - MARGIN));
  const clampY = (y: number): number => Math.max(view.top + MARGIN, Math.min(y, view.bottom - height - MARGIN));
  const union = avoid.length > 0
    ? avoid.reduce((u, r) => ({ left: Math.min(u.left, r.left), top: Math.min(u.top, r.top), right: Math.max(u.right, r.right), bottom: Math.max(u.bottom, r.bottom) }))
    : { left: pointer.x, top: pointer.y, right: pointer.x, bottom: pointer.y };
  const candidates = [
    { x: pointer.x - width / 2, y: union.bottom + GAP },
    { x: pointer.x - width / 2, y: union.top - GAP - height },
    { x: union.right + GAP, y: pointer.y - height / 2 },
    { x: union.left - GAP - width, y: pointer.y - height / 2 },
    { x: pointer.x + 16, y: pointer.y + 16 },
    { x: pointer.x + 16, y: pointer.y - 16 - height },
    { x: pointer.x - 16 - width, y: pointer.y + 16 },
    { x: pointer.x - 16 - width, y: pointer.y - 16 - height },
    { x: view.right, y: view.bottom },
    { x: view.left, y: view.bottom },
    { x: view.right, y: view.top },
    { x: view.left, y: view.top },
  ].map((c) => ({ x: clampX(c.x), y: clampY(c.y) }));
  // Covering the chain costs far more than covering the rest of the graph (`prefer`: what is
  // better left in view when there is a choice).
  let best = candidates[0];
  let bestCost = Infinity;
  for (const c of candidates) {
    const box = { left: c.x, top: c.y, right: c.x + width, bottom: c.y + height };
    const cost = avoid.reduce((sum, r) => sum + overlap(box, r), 0) * 1e6 + prefer.reduce((sum, r) => sum + overlap(box, r), 0);
    if (cost < bestCost) { best = c; bestCost = cost; }
    if (cost === 0) break;
  }
  return { x: Math.round(best.x), y: Math.round(best.y) };
}
