import { QueryClient } from "@tanstack/react-query";

/** A QueryClient per browser session (made in a component's state, never a module global on the server). */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: false } },
  });
}
