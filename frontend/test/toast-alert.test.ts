// Failures are announced at once (an alert region), confirmations politely.
import { describe, expect, it } from 'vitest';
import { find, installBrowser, settle } from './fake-browser';

describe('toasts', () => {
  it('puts failures in an alert region and confirmations in a polite status region', async () => {
    const browser = await installBrowser('/', () => ({ status: 404, body: {} }));
    const root = browser.doc.createElementNS(null, 'div');
    browser.doc.body.appendChild(root);
    const { Toasts, toast } = await import('../src/ui/Toast');
    browser.preact.render(browser.h(Toasts, {}), root as never);
    toast('Đã lưu');
    toast('Không lưu được', true);
    await settle();
    const region = (role: string) => find(root, (e) => e.getAttribute('role') === role)[0];
    expect(region('alert')?.textContent).toBe('Không lưu được');
    expect(region('status')?.textContent).toBe('Đã lưu');
    expect(region('status')?.getAttribute('aria-live')).toBe('polite');
  });
});
