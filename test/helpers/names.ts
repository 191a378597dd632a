// Unique names for test labs, so tests never touch anything they did not create.
import { randomBytes } from "crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `t` + 5 random [a-z0-9]: a valid lab id that prefixes every namespace, bridge, veth and container of the test. */
export function uniqueLabId(): string {
    return "t" + Array.from(randomBytes(5), (b) => ALPHABET[b % ALPHABET.length]).join("");
}
