import { QueryClient } from "@tanstack/react-query";

/** A QueryClient per browser session (made in a component's state, never a module global on the server). */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: false } },
  });
}

/**
 * Marks queries stale and refetches them, after something changed on the server. `invalidateQueries`
 * alone does not do this for a query whose first fetch is still in flight: it waits for that fetch, whose
 * answer predates the change, and the list stays stale. Cancelling first drops that answer.
 */
export async function refreshQueries(client: QueryClient, queryKey: readonly unknown[]): Promise<void> {
  await client.cancelQueries({ queryKey });
  await client.invalidateQueries({ queryKey });
}
