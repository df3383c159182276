import { AppProviders } from "@/components/app-providers";
import { EditorApp } from "@/components/editor/editor-app";

/** The home page is the editor, opened on the last workflow (or a new one). */
export default function HomePage() {
  return (
    <AppProviders>
      <EditorApp />
    </AppProviders>
  );
}
