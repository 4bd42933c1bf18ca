/** D25: a chart per tag over the chosen period and interval, filters, CSV, and the messages behind a bar. */
export function AnalyticsPage() {
  return <main className="page">Tag analytics</main>;
}
