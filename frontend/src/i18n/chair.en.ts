// English: the strings of the chair screens. Spread into en.ts; typed there.
import type chairVi from './chair.vi';

const chairEn: Record<keyof typeof chairVi, string> = {
};

export default chairEn;
