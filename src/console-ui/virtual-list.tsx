import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Rows of a fixed height in a scrolling box: only the rows in view (and a few around) are in the DOM, so a list of
 * 100,000 messages costs what 30 cost. Up/Down arrows move the focus between rows (scrolling as needed).
 */
export function VirtualList(props: {
  rowCount: number;
  rowHeight: number;
  label: string;
  renderRow: (index: number) => ComponentChildren;
  class?: string;
}) {
  const box = useRef<HTMLElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    // A scrolling region must be reachable by keyboard (WCAG 2.1.1): set here, the markup stays a plain list.
    element.tabIndex = 0;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight || 600));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const overscan = 5;
  const first = Math.max(0, Math.floor(scrollTop / props.rowHeight) - overscan);
  const last = Math.min(props.rowCount, Math.ceil((scrollTop + height) / props.rowHeight) + overscan);
  const rows: ComponentChildren[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <li
        key={index}
        class="vrow"
        data-index={index}
        style={{ top: `${index * props.rowHeight}px`, height: `${props.rowHeight}px` }}
      >
        {props.renderRow(index)}
      </li>,
    );
  }

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const element = box.current;
    const row = (event.target as HTMLElement).closest<HTMLElement>('.vrow');
    if (!element || !row) return;
    event.preventDefault();
    const next = Number(row.dataset.index) + (event.key === 'ArrowDown' ? 1 : -1);
    if (next < 0 || next >= props.rowCount) return;
    const top = next * props.rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + props.rowHeight > element.scrollTop + element.clientHeight)
      element.scrollTop = top + props.rowHeight - element.clientHeight;
    setScrollTop(element.scrollTop);
    // The row is rendered on the next paint: focus its first control then.
    requestAnimationFrame(() => {
      element
        .querySelector<HTMLElement>(`.vrow[data-index="${next}"] input, .vrow[data-index="${next}"] button`)
        ?.focus();
    });
  };

  return (
    <section
      ref={box}
      class={`vlist ${props.class ?? ''}`}
      aria-label={props.label}
      onScroll={(event) => setScrollTop((event.currentTarget as HTMLElement).scrollTop)}
      onKeyDown={onKeyDown}
    >
      <ul class="vlist-space" style={{ height: `${props.rowCount * props.rowHeight}px` }}>
        {rows}
      </ul>
    </section>
  );
}
