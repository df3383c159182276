import { catalog } from "@/lib/nodes";
import { describeCatalog } from "@/lib/nodes/describe";
import { CATEGORIES } from "@/lib/workflow/format";
import styles from "./page.module.css";

export const dynamic = "force-dynamic";

/** The home page: what the server offers today, read from the node catalog itself. */
export default function HomePage() {
  const nodes = describeCatalog(catalog);
  return (
    <main className={styles.main}>
      <header className={styles.header}>
        <h1>Strategy Canvas</h1>
        <p>
          Draw a trading strategy as a graph, run it, and watch every node&apos;s result arrive. The workflow engine and its API are
          running; runs read a seeded <strong>simulated market</strong> and trade on a <strong>paper account</strong>.
        </p>
      </header>
      <section aria-labelledby="catalog-heading">
        <h2 id="catalog-heading">Node catalog ({nodes.length} node types)</h2>
        <div className={styles.grid}>
          {CATEGORIES.map((category) => (
            <div key={category} className={styles.category} data-category={category}>
              <h3 style={{ color: `var(--${category})` }}>{category}</h3>
              <ul>
                {nodes
                  .filter((n) => n.category === category)
                  .map((n) => (
                    <li key={n.type}>
                      <strong>{n.label}</strong> <code>{n.type}</code>
                      <div className={styles.desc}>{n.description}</div>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </div>
      </section>
      <section aria-labelledby="api-heading">
        <h2 id="api-heading">API</h2>
        <ul className={styles.api}>
          <li><code>POST /api/workflow/execute</code> runs a workflow (JSON, or Server-Sent Events with <code>Accept: text/event-stream</code>)</li>
          <li><code>GET/POST /api/workflows</code>, <code>GET/PUT/DELETE /api/workflows/:id</code>, <code>/versions</code>, <code>/runs</code></li>
          <li><code>GET /api/runs/:id</code>, <code>GET /api/nodes</code>, <code>GET/POST /api/credentials/profiles</code></li>
        </ul>
      </section>
    </main>
  );
}
