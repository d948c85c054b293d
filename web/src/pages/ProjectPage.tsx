import { RecordPage } from "./RecordPage";

export function ProjectPage({ id }: { id: string }) {
  return <RecordPage kind="projects" id={id} />;
}
