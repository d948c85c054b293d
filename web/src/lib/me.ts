import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { SessionUser } from "../api/session";

export const Me = createContext<SessionUser | null>(null);

export function useMe(): SessionUser {
  const u = useContext(Me);
  if (!u) throw new Error("no signed-in user");
  return u;
}
