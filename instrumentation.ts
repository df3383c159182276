/** Next.js start-up hook: resume the schedules of continuously running workflows. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { resumeSchedules } = await import("./lib/server/scheduler");
  await resumeSchedules();
}
