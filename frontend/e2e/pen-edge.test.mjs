// Annotations on a tablet, edge cases the room's test does not reach: a
// note's marker stays a finger-sized target at any zoom, and a delegate
// tells at a glance which marks are someone else's (faded, dashed, their
// author named on the note) and which of their own are private (a padlock).
// Each test prepares a meeting of its own through the API (the demo
// meeting is left alone) and drives daibieu1's tablet in Vietnamese.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shot, waitShown } from './lib.mjs';
import { docButton, roomKit } from './room-kit.mjs';

const T = { timeout: 180000 };
const kit = roomKit();

/** A meeting of our own, in session, its first item current, with a document on it. */
async function prepare(name) {
  const { m, item, docs: [doc] } = await kit.meeting(`pen-edge ${name}`, [['Tờ trình A', 4]]);
  return { m, item, doc };
}

/** daibieu1's tablet in the meeting room, the document open at page 1. */
async function openDoc(name, s) {
  const t = await kit.openRoom(name, s.m);
  // The current item's only document opens by itself; it may be on screen
  // before the tap (which then changes nothing), so any showing counts.
  await docButton(t.page, 'Tờ trình A').click();
  await waitShown(t.page, 1, s.doc.id, 40000, 0);
  return t;
}

const note = (id, x, y, text, shared) => ({ id, version: 0, page: 1, kind: 'note', shared, data: { x, y, text } });

describe('annotations: edge cases on a tablet', () => {
  it("a shared note's marker is a touch target of at least 44 px on a tablet at fit-page zoom", T, async () => {
    const s = await prepare('note');
    await kit.del2.post(`/documents/${s.doc.id}/annotations`, {
      annotations: [note(`rv${Date.now()}`, 120, 140, 'Đề nghị làm rõ điều 5', true)],
    });
    const t = await openDoc('note-target', s);
    const marker = t.page.locator('svg.annot g.note').first();
    await marker.waitFor({ timeout: 20000 });
    const box = await marker.boundingBox();
    assert.ok(box && box.width >= 44 && box.height >= 44, `the note marker is ${box?.width.toFixed(1)} × ${box?.height.toFixed(1)} px (the app's buttons are 44 px): hard to hit with a finger`);

    // Zoomed in twice, still at least 44 px (and the icon grows with the page).
    const icon = await t.page.locator('svg.annot g.note rect.icon').first().boundingBox();
    for (let i = 0; i < 2; i++) await t.page.getByRole('button', { name: 'Phóng to' }).click();
    await t.page.waitForFunction((w) => document.querySelector('svg.annot g.note rect.icon').getBoundingClientRect().width > w + 1, icon.width, { timeout: 20000 });
    const zoomed = await marker.boundingBox();
    assert.ok(zoomed.width >= 44 && zoomed.height >= 44, `zoomed in, the note marker is ${zoomed.width.toFixed(1)} × ${zoomed.height.toFixed(1)} px`);

    // The whole target opens the note: a tap near its edge, off the drawn icon.
    await marker.click({ position: { x: 3, y: 3 } });
    await t.page.getByRole('dialog').waitFor();
    // Another delegate's note: read, not edited (plain text and "Đóng").
    assert.equal(await t.page.getByRole('dialog').getByTestId('note-read').textContent(), 'Đề nghị làm rõ điều 5');
  });

  it("others' shared marks look apart from mine, name their author, and my private note shows it is private", T, async () => {
    const s = await prepare('whose');
    const stamp = Date.now();
    await kit.del2.post(`/documents/${s.doc.id}/annotations`, {
      annotations: [
        note(`th${stamp}`, 120, 140, 'Của đại biểu 2', true),
        { id: `ti${stamp}`, version: 0, page: 1, kind: 'ink', shared: true, data: { colour: '#1d4ed8', width: 1.6, strokes: [[[100, 300], [300, 320]]] } },
      ],
    });
    await kit.del1.post(`/documents/${s.doc.id}/annotations`, {
      annotations: [
        note(`mp${stamp}`, 300, 140, 'Riêng tôi', false),
        note(`ms${stamp}`, 400, 140, 'Tôi chia sẻ', true),
        { id: `mi${stamp}`, version: 0, page: 1, kind: 'ink', shared: false, data: { colour: '#1d4ed8', width: 1.6, strokes: [[[100, 400], [300, 420]]] } },
      ],
    });
    const t = await openDoc('whose', s);
    const p = t.page;
    const g = (id) => p.locator(`svg.annot [data-id="${id}"]`).first();
    await g(`th${stamp}`).waitFor({ timeout: 20000 });
    await g(`mi${stamp}`).waitFor({ state: 'attached' });

    await shot(p, 'annotations-whose-vi');
    const look = (id) =>
      g(id).evaluate((el) => {
        const icon = el.querySelector('rect.icon');
        const cs = getComputedStyle(el);
        return {
          mine: el.getAttribute('data-mine'),
          opacity: Number(cs.opacity),
          dash: cs.strokeDasharray,
          iconDash: icon ? getComputedStyle(icon).strokeDasharray : null,
          iconStroke: icon ? getComputedStyle(icon).stroke : null,
          padlock: !!el.querySelector('.badge.private'),
          people: !!el.querySelector('.badge.shared'),
          label: el.getAttribute('aria-label'),
        };
      });
    const [theirNote, theirInk, myPrivate, myShared, myInk] = await Promise.all([`th${stamp}`, `ti${stamp}`, `mp${stamp}`, `ms${stamp}`, `mi${stamp}`].map(look));

    assert.equal(theirNote.mine, '0');
    assert.ok(theirNote.opacity < 1 && theirNote.iconDash !== 'none', `someone else's note is drawn faded and dashed: ${JSON.stringify(theirNote)}`);
    assert.ok(theirInk.opacity < 1 && theirInk.dash !== 'none', `someone else's stroke is drawn faded and dashed: ${JSON.stringify(theirInk)}`);
    assert.ok(myInk.opacity === 1 && myInk.dash === 'none', `my stroke is drawn plain: ${JSON.stringify(myInk)}`);
    assert.ok(myPrivate.padlock && !myShared.padlock && !theirNote.padlock, 'only my private note has the padlock');
    assert.ok(myShared.people && !myPrivate.people, 'my shared note has the person badge, my private one not');
    assert.notEqual(myPrivate.iconStroke, myShared.iconStroke, 'my shared note is edged apart from my private one');
    assert.match(myPrivate.label, /chỉ mình tôi/);
    assert.match(myShared.label, /mọi người/);

    // The author's name: on the marker (for a screen reader) and in the opened note.
    const name = kit.del2.user.full_name;
    await p.waitForFunction(([id, n]) => document.querySelector(`svg.annot [data-id="${id}"]`)?.getAttribute('aria-label')?.includes(n), [`th${stamp}`, name], { timeout: 20000 });
    await g(`th${stamp}`).click();
    await p.getByRole('dialog').waitFor();
    assert.equal(await p.getByTestId('note-by').textContent(), `Ghi chú của ${name}`);
    await shot(p, 'annotations-note-by-vi');
    assert.equal(await p.getByRole('dialog').getByRole('button', { name: 'Xóa' }).count(), 0, "someone else's note cannot be deleted by a delegate");
  });
});
