// A few line icons as SVG paths (24×24), drawn with currentColor.
const PATHS: Record<string, string> = {
  left: 'M15 5l-7 7 7 7',
  right: 'M9 5l7 7-7 7',
  plus: 'M12 5v14M5 12h14',
  minus: 'M5 12h14',
  grid: 'M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h6v6h-6z',
  hand: 'M8 13V6a1.5 1.5 0 013 0v5M11 11V4.5a1.5 1.5 0 013 0V11M14 11V6a1.5 1.5 0 013 0v8a6 6 0 01-6 6h-1a6 6 0 01-5-3l-2-4a1.5 1.5 0 012.6-1.5L8 13',
  pen: 'M4 20l4-1 11-11-3-3L5 16zM14 6l3 3',
  marker: 'M9 15l-4 4h5l2-2M9 15l7-10 4 3-7 10zM9 15l3 2',
  eraser: 'M7 20h13M5 15l9-9 5 5-9 9H8z',
  note: 'M5 4h14v11l-5 5H5zM14 20v-5h5M8 9h8M8 12h5',
  menu: 'M4 6h16M4 12h16M4 18h16',
  more: 'M5 12m-1.5 0a1.5 1.5 0 103 0 1.5 1.5 0 10-3 0M12 12m-1.5 0a1.5 1.5 0 103 0 1.5 1.5 0 10-3 0M19 12m-1.5 0a1.5 1.5 0 103 0 1.5 1.5 0 10-3 0',
  mic: 'M12 3a3 3 0 013 3v5a3 3 0 01-6 0V6a3 3 0 013-3zM6 11a6 6 0 0012 0M12 17v4',
  live: 'M12 12m-3 0a3 3 0 106 0 3 3 0 10-6 0M5 5a10 10 0 000 14M19 5a10 10 0 010 14',
  check: 'M5 12l5 5 9-10',
  close: 'M6 6l12 12M18 6L6 18',
  doc: 'M6 3h8l4 4v14H6zM14 3v4h4',
  back: 'M10 6l-6 6 6 6M4 12h16',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  tempPen: 'M3 21l3-.8 9-9-2.2-2.2-9 9zM11.4 10.4l2.2 2.2M18 3v4M16 5h4M19.5 10v2.5M18.25 11.25h2.5',
  clearAll: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6',
  lock: 'M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 017 0v3',
  people: 'M9 11a3 3 0 100-6 3 3 0 000 6zM3.5 20a5.5 5.5 0 0111 0M15.5 5.3a3 3 0 010 5.4M17 14.2a5.5 5.5 0 013.5 5.8',
  laser: 'M12 12m-2.5 0a2.5 2.5 0 105 0 2.5 2.5 0 10-5 0M12 3v3M12 18v3M3 12h3M18 12h3M5.6 5.6l2.1 2.1M16.3 16.3l2.1 2.1M5.6 18.4l2.1-2.1M16.3 7.7l2.1-2.1',
};

export function Icon({ name }: { name: string }) {
  return (
    <svg class="ic" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={PATHS[name] ?? ''} />
    </svg>
  );
}
