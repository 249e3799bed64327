/** One thing a verification looked at, and what it found. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Collects checks; the first failure is the verification's reason. */
export class Checks {
  readonly list: Check[] = [];

  pass(name: string, detail: string): void {
    this.list.push({ name, ok: true, detail });
  }

  failed(name: string, detail: string): void {
    this.list.push({ name, ok: false, detail });
  }

  /** Records a check from a condition; returns the condition. */
  expect(name: string, ok: boolean, detail: string): boolean {
    this.list.push({ name, ok, detail });
    return ok;
  }

  get ok(): boolean {
    return this.list.every((c) => c.ok);
  }

  get firstFailure(): Check | undefined {
    return this.list.find((c) => !c.ok);
  }
}
