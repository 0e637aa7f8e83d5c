// Tiếng Việt: the strings of the desk screens (issue 9). Spread into vi.ts.
export default {
};
