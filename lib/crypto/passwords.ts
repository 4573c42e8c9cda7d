import bcrypt from "bcryptjs";

/** bcrypt (pure JS, no native build step on install); cost 11 ≈ 150 ms here: slow for guessing, fine for sign-in. */
const COST = 11;

export const hashPassword = (password: string) => bcrypt.hash(password, COST);
export const verifyPassword = (password: string, hash: string) => bcrypt.compare(password, hash);
