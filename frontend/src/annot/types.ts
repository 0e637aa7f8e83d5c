// Annotations: ink (pen), highlights and text notes on a page, in the
// server's coordinate system (docs/annotation_data.go): PDF points from the
// top-left corner of the page as displayed (a pdf.js viewport at scale 1,
// the page's rotation applied), x to the right, y downwards. The viewer
// draws them in an SVG whose viewBox is that page size, so they sit in the
// same place at any zoom.
export type Tool = 'none' | 'pen' | 'highlighter' | 'eraser' | 'note';
export type Kind = 'ink' | 'highlight' | 'note';

/** [x, y] or [x, y, pressure 0…1]. */
export type Point = number[];

export interface InkData {
  colour: string;
  /** Stroke width in points. */
  width: number;
  strokes: Point[][];
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface HighlightData {
  colour: string;
  opacity: number;
  rects: Rect[];
}

export interface NoteData {
  colour?: string;
  x: number;
  y: number;
  /** Plain text, never markup. */
  text: string;
}

export type AnnotationData = InkData | HighlightData | NoteData;

export interface Annotation {
  id: string;
  document_id: string;
  /** The document version (0 or absent: the current one). */
  version?: number;
  page: number;
  kind: Kind;
  shared: boolean;
  data: AnnotationData;
  author_id?: string;
  rev?: number;
}

export type NewAnnotation = Omit<Annotation, 'author_id' | 'rev'>;

export interface LayerProps {
  docId: string;
  /** The document version shown. */
  version?: number;
  page: number;
  /** The page in PDF points (viewport at scale 1). */
  size: { w: number; h: number };
  tool: Tool;
  me: string;
  shared?: boolean;
}
