import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, queryKeys } from "@/lib/api/client";
import { refreshQueries } from "@/lib/api/query-client";

/** The uploaded datasets: the list, a CSV upload (the file's text is posted) and delete. */
export function useDatasets() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: queryKeys.datasets, queryFn: api.datasets });
  const upload = useMutation({
    mutationFn: async (file: File) => api.createDataset({ name: file.name.replace(/\.csv$/i, "") || file.name, csv: await file.text() }),
    onSuccess: (created) => {
      client.setQueryData(queryKeys.dataset(created.id), created);
      return refreshQueries(client, queryKeys.datasets);
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteDataset(id),
    onSuccess: (_void, id) => {
      client.removeQueries({ queryKey: queryKeys.dataset(id) });
      return refreshQueries(client, queryKeys.datasets);
    },
  });
  return { list, upload, remove };
}
