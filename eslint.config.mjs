import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", "node_modules/**", "lib/db/generated/**", "next-env.d.ts", "test-results/**", "playwright-report/**", ".e2e/**", ".tmp/**", "data/**"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    // The engine and the catalog are plain TypeScript shared by the server, tests, benchmarks and the
    // browser: no React, Next.js, Node built-ins or Prisma in them.
    files: ["lib/workflow/**/*.ts", "lib/nodes/**/*.ts", "lib/indicators/**/*.ts", "lib/editor/**/*.ts", "lib/backtest/**/*.ts", "lib/runs/**/*.ts"],
    ignores: ["**/*.test.ts"], // tests may read fixtures from disk
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["react", "react-dom", "next", "next/*", "@prisma/*", "node:*", "server-only", "**/db/*", "**/server/*"], message: "lib/workflow, lib/nodes, lib/runs and lib/backtest must stay pure TypeScript" },
          ],
        },
      ],
    },
  },
];

export default config;
