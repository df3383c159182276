"use client";
import { useId, type ReactNode } from "react";
import { useModal } from "@/components/ui/use-modal";
import styles from "./backtest.module.css";

/**
 * A modal panel over nearly the whole window (the report's charts need the room a dialog lacks): labelled
 * by its title, closed by Escape or its close button, focus moved inside on open.
 */
export function PanelShell({ title, subtitle, onClose, children, footer }: { title: string; subtitle?: ReactNode; onClose: () => void; children: ReactNode; footer: ReactNode }) {
  const titleId = useId();
  const ref = useModal<HTMLDivElement>(onClose);
  return (
    <div className={styles.overlay}>
      <div className={styles.panel} role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} tabIndex={-1}>
        <header className={styles.panelHeader}>
          <h2 id={titleId}>{title}</h2>
          {subtitle && <div className={styles.panelSubtitle}>{subtitle}</div>}
          <button type="button" className={styles.iconButton} onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        <div className={styles.panelBody}>{children}</div>
        <footer className={styles.panelFooter}>{footer}</footer>
      </div>
    </div>
  );
}
