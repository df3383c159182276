"use client";
import { createContext, useContext, type ReactNode } from "react";
import { useStore } from "zustand";
import type { NodeCatalog } from "@/lib/workflow/definition";
import type { EditorState, EditorStore } from "@/lib/store/editor-store";
import type { RunState, RunStore } from "@/lib/store/run-store";

interface EditorContextValue {
  catalog: NodeCatalog;
  editor: EditorStore;
  run: RunStore;
}

const EditorContext = createContext<EditorContextValue | null>(null);

export function EditorProvider({ value, children }: { value: EditorContextValue; children: ReactNode }) {
  return <EditorContext.Provider value={value}>{children}</EditorContext.Provider>;
}

function useEditorContext(): EditorContextValue {
  const ctx = useContext(EditorContext);
  if (!ctx) throw new Error("editor components must be inside <EditorProvider>");
  return ctx;
}

/** Selects a slice of the editor store. Select narrowly; use useShallow for objects and arrays. */
export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(useEditorContext().editor, selector);
}

/** Selects a slice of the run store (results keyed by node id). */
export function useRun<T>(selector: (s: RunState) => T): T {
  return useStore(useEditorContext().run, selector);
}

/** The stores themselves, for event handlers that read or act without subscribing. */
export function useEditorStores(): EditorContextValue {
  return useEditorContext();
}

export function useCatalog(): NodeCatalog {
  return useEditorContext().catalog;
}
