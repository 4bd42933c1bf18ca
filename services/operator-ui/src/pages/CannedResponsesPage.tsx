/** D16: global (super_admin) and personal canned responses, title and text. */
export function CannedResponsesPage() {
  return <main className="page">Canned responses</main>;
}
