/**
 * What the pointer does over the graph: the wheel zooms about the pointer, dragging empty space
 * pans, moving over a parameter or unit hovers it (the page shows its card) and a click on a
 * parameter pins it. A press on anything that hovers never starts a pan, so it stays a click.
 */
import { chainRects, graphRects, hit, nodeRect } from './hit';
import { paintLabels } from './paint';
import type { GraphState, Hovered } from './state';
import { pan, zoom } from './viewport';

export function bindPointer(s: GraphState): void {
  let drag: { x: number; y: number } | undefined;
  s.svg.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const r = s.host.getBoundingClientRect();
    zoom(s, Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  s.svg.addEventListener('pointerdown', (ev) => {
    if (hit(s, ev)) return;
    drag = { x: ev.clientX, y: ev.clientY };
    s.svg.setPointerCapture(ev.pointerId);
    s.svg.classList.add('panning');
  });
  s.svg.addEventListener('pointermove', (ev) => {
    if (drag) {
      pan(s, ev.clientX - drag.x, ev.clientY - drag.y);
      drag = { x: ev.clientX, y: ev.clientY };
      return;
    }
    setHovered(s, hit(s, ev), ev);
  });
  s.svg.addEventListener('pointerleave', () => { if (!drag) setHovered(s, undefined); });
  const end = (ev: PointerEvent): void => {
    if (!drag) return;
    drag = undefined;
    s.svg.releasePointerCapture(ev.pointerId);
    s.svg.classList.remove('panning');
  };
  s.svg.addEventListener('pointerup', end);
  s.svg.addEventListener('pointercancel', end);
  s.svg.addEventListener('click', (ev) => {
    const target = hit(s, ev as PointerEvent);
    if (target?.kind === 'param') { ev.stopPropagation(); s.callbacks.pin(target.name); }
  });
}

function setHovered(s: GraphState, next: Hovered, ev?: PointerEvent): void {
  const same = next?.kind === s.hovered?.kind && (next?.kind === 'param' ? next.name === (s.hovered as { name: string }).name : next?.kind === 'unit' && next.id === (s.hovered as { id: string }).id);
  if (same || (!next && !s.hovered)) return;
  const previous = s.hovered;
  s.hovered = next;
  for (const [name, { group }] of s.edgeEls) group.classList.toggle('hovered', next?.kind === 'param' && next.name === name);
  // A dense graph labels the hovered edge too.
  if (!s.layout?.edgeLabels && (previous?.kind === 'param' || next?.kind === 'param')) paintLabels(s);
  if (!next) { s.callbacks.leave(); return; }
  const at = { x: ev?.clientX ?? 0, y: ev?.clientY ?? 0, prefer: graphRects(s) };
  if (next.kind === 'param') s.callbacks.hoverParam(next.name, { ...at, avoid: chainRects(s, next.name) });
  else {
    const node = s.layout?.nodes.find((n) => n.id === next.id);
    s.callbacks.hoverUnit(next.id, { ...at, avoid: node ? [nodeRect(s, node)] : [] });
  }
}
