// A message for the next page, when an action leaves the page it was taken
// on (a rejected lead goes back to the vendor: its page no longer exists for
// the partner, so its list says what happened).

let next = "";

export function flash(message: string): void {
  next = message;
}

/** The message once; the next call answers "". */
export function takeFlash(): string {
  const m = next;
  next = "";
  return m;
}
