import { describe, expect, it } from 'vitest';
import { auditCSV, describeObject, type Names } from '../src/admin/audit';

// The meeting's list as the administrator's screen loaded it: d1 is there
// (renamed since the entries were written), d2 was deleted, d3 is a
// confidential document this administrator may not read.
const names: Names = {
  users: new Map(),
  meetings: new Map([['m1', 'Kỳ họp thứ 5']]),
  documents: new Map([['d1', 'Tờ trình (sửa)']]),
};

describe('audit document titles', () => {
  it('name a document the list knows as the list does, whatever title the entry tells', () => {
    expect(describeObject(names, 'document:d1', { version: 1, title: 'Tờ trình' }))
      .toEqual({ kind: 'document', name: 'Tờ trình (sửa)' });
  });

  it('name a document the list does not know by the title its entry tells', () => {
    for (const detail of [
      { version: 2, copy_id: 'C1', title: 'Báo cáo đã xoá' }, // document.opened
      { version: 1, shared: true, annotations: 3, title: 'Báo cáo đã xoá' }, // document.exported
      { version: 1, page: 4, previous_document_id: 'd1', previous_version: 1, title: 'Báo cáo đã xoá' }, // presentation.shown
      { version: 1, title: 'Báo cáo đã xoá' }, // presentation.stopped
    ]) {
      expect(describeObject(names, 'document:d2', detail)).toEqual({ kind: 'document', name: 'Báo cáo đã xoá' });
    }
  });

  it('keep the id of a document neither the list nor the entry names', () => {
    // A confidential document's entry tells its id, version and that it is confidential, never its title.
    expect(describeObject(names, 'document:d3', { document_id: 'd3', version: 1, confidential: true }))
      .toEqual({ kind: 'document', name: 'd3' });
    expect(describeObject(names, 'document:d3')).toEqual({ kind: 'document', name: 'd3' });
    expect(describeObject(names, 'document:d3', { title: '' })).toEqual({ kind: 'document', name: 'd3' });
    expect(describeObject(names, 'document:d3', { title: 42 })).toEqual({ kind: 'document', name: 'd3' });
  });

  it('name an annotation by its document as the list knows it, else by the title its entry tells', () => {
    expect(describeObject(names, 'annotation:a1', { document_id: 'd1', title: 'Tờ trình' }))
      .toEqual({ kind: 'annotation', name: 'Tờ trình (sửa)' });
    expect(describeObject(names, 'annotation:a1', { document_id: 'd2', title: 'Báo cáo đã xoá' }))
      .toEqual({ kind: 'annotation', name: 'Báo cáo đã xoá' });
    expect(describeObject(names, 'annotation:a1', { title: 'Báo cáo đã xoá' }))
      .toEqual({ kind: 'annotation', name: 'Báo cáo đã xoá' });
    expect(describeObject(names, 'annotation:a1', { document_id: 'd2', page: 1 })).toEqual({ kind: 'annotation', name: 'a1' });
  });

  it('put the title the entry tells in the CSV', () => {
    const csv = auditCSV(names, [
      { id: 2, at: '2025-01-01T00:00:00Z', action: 'presentation.shown', object: 'document:d2', meeting_id: 'm1', detail: { version: 1, page: 1, title: 'Báo cáo đã xoá' } },
    ], (a) => a);
    const row = csv.split('\r\n')[1];
    expect(row.split(',').slice(5, 9)).toEqual(['document:d2', 'Báo cáo đã xoá', 'm1', 'Kỳ họp thứ 5']);
  });
});
