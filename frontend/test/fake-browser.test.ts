// The shared test DOM (fake-browser.ts) behaves as a browser does where the
// screen tests rely on it: what a click does on disabled controls.
import { describe, expect, it } from 'vitest';
import { click, makeDocument, type FElement } from './fake-browser';

function setup() {
  const doc = makeDocument();
  const el = (name: string, attrs: Record<string, string> = {}) => {
    const e = doc.createElement(name) as FElement;
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  return { doc, el };
}

describe('click() in the fake browser', () => {
  it('does nothing on a button inside a disabled fieldset, as a browser does', () => {
    // The desk's readers panel (Documents.tsx, <fieldset disabled={readOnly || busy}>) and details
    // form rely on it: a screen test pressing Save there while busy must not pass where a browser would not.
    const { doc, el } = setup();
    const fieldset = el('fieldset');
    fieldset.disabled = true;
    const button = el('button', { type: 'button' });
    fieldset.appendChild(button);
    doc.body.appendChild(fieldset);
    let pressed = 0;
    button.addEventListener('click', () => pressed++);
    click(button);
    expect(pressed).toBe(0);
    fieldset.disabled = false;
    click(button);
    expect(pressed, 'enabled again: the click arrives').toBe(1);
  });

  it('a submit button in a fieldset inside a disabled one neither clicks nor submits; the first legend stays usable', () => {
    const { doc, el } = setup();
    const form = el('form');
    const outer = el('fieldset');
    outer.disabled = true;
    const legend = el('legend');
    const inLegend = el('button', { type: 'button' });
    legend.appendChild(inLegend);
    const inner = el('fieldset');
    const submit = el('button');
    inner.appendChild(submit);
    outer.append(legend, inner);
    form.appendChild(outer);
    doc.body.appendChild(form);
    const seen: string[] = [];
    inLegend.addEventListener('click', () => seen.push('legend'));
    submit.addEventListener('click', () => seen.push('submit-click'));
    form.addEventListener('submit', () => seen.push('submit'));
    click(submit);
    click(inLegend);
    expect(seen).toEqual(['legend']);
  });

  it('a click whose handler prevented the default does not submit the form', () => {
    const { doc, el } = setup();
    const form = el('form');
    const submit = el('button');
    form.appendChild(submit);
    doc.body.appendChild(form);
    let submitted = 0;
    form.addEventListener('submit', () => submitted++);
    submit.addEventListener('click', (e) => e.preventDefault());
    click(submit);
    expect(submitted).toBe(0);
  });
});
