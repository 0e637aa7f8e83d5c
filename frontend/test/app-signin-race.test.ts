// The sign-in form's code arriving between the render that found it missing
// and the effect after that render: the effect skipped the new render when
// it saw the form already loaded ("&& !SignIn"), and nothing else asked for
// one, so the tablet showed the splash for good (the browser tests' "sign-in
// form not shown within 15 s", a few times in a hundred on a busy machine).
import { describe, expect, it, vi } from 'vitest';
import { find, installBrowser, notFound } from './fake-browser';

describe('the sign-in form coming between a render and its effects', () => {
  it('is shown', async () => {
    const browser = await installBrowser('/', () => notFound);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    vi.doMock('../src/ui/Login', async () => {
      await gate;
      return { Login: () => browser.h('form', { 'data-testid': 'login' }) };
    });
    // Effects run when the test says, so that the module can arrive in between.
    const effects: (() => void)[] = [];
    browser.preact.options.requestAnimationFrame = (cb: () => void) => void effects.push(cb);
    const runEffects = () => effects.splice(0).forEach((cb) => cb());
    const microtasks = async () => {
      for (let i = 0; i < 20; i++) await Promise.resolve();
    };

    const { App } = await import('../src/ui/App'); // asks for the sign-in form at once (no session)
    const root = browser.doc.createElementNS(null, 'div');
    browser.doc.body.appendChild(root);
    browser.preact.render(browser.h(App, {}), root as never);
    runEffects(); // no session: nobody is signed in (me = null)
    await microtasks(); // the render with me = null: the form's code is not here yet, a splash
    expect(find(root, (e) => e.getAttribute('data-testid') === 'login')).toHaveLength(0);

    release(); // the form's code arrives now, after that render and before its effects
    await microtasks();
    runEffects();
    await microtasks();
    runEffects();
    await microtasks();
    expect(find(root, (e) => e.getAttribute('data-testid') === 'login'), 'the splash stayed').toHaveLength(1);
    browser.preact.options.requestAnimationFrame = (cb: () => void) => setTimeout(cb, 0);
    browser.preact.render(null, root as never);
  });
});
