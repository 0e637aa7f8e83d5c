// Tiếng Việt: the strings of the chair screens (issue 9). Spread into vi.ts.
export default {
};
