import { usePersonName, useRecordName } from "../lib/people";
import type { Kind } from "../api/records";

export function PersonName({ id }: { id: string | null | undefined }) {
  return <>{usePersonName(id)}</>;
}

export function RecordLink({ kind, id }: { kind: Kind; id: string | null | undefined }) {
  const name = useRecordName(kind, id);
  if (!id) return <>—</>;
  return <a href={`/${kind}/${id}`}>{name}</a>;
}
