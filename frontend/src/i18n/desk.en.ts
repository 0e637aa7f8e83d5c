// English: the strings of the desk screens. Spread into en.ts; typed there.
import type deskVi from './desk.vi';

const deskEn: Record<keyof typeof deskVi, string> = {
};

export default deskEn;
