-- CreateTable
CREATE TABLE "Candle" (
    "venue" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "interval" TEXT NOT NULL,
    "openTime" BIGINT NOT NULL,
    "open" REAL NOT NULL,
    "high" REAL NOT NULL,
    "low" REAL NOT NULL,
    "close" REAL NOT NULL,
    "volume" REAL NOT NULL,

    PRIMARY KEY ("venue", "symbol", "interval", "openTime")
);

-- CreateTable
CREATE TABLE "CandleRange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "venue" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "interval" TEXT NOT NULL,
    "fromTime" BIGINT NOT NULL,
    "toTime" BIGINT NOT NULL,
    "fetchedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "FundingRate" (
    "venue" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "time" BIGINT NOT NULL,
    "rate" REAL NOT NULL,

    PRIMARY KEY ("venue", "symbol", "time")
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "interval" TEXT NOT NULL,
    "bars" INTEGER NOT NULL,
    "fromTime" BIGINT NOT NULL,
    "toTime" BIGINT NOT NULL,
    "columns" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Backtest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workflowId" TEXT,
    "version" INTEGER,
    "document" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "stats" TEXT NOT NULL DEFAULT '{}',
    "report" TEXT NOT NULL DEFAULT '{}',
    "error" TEXT,
    "durationMs" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Backtest_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CandleRange_venue_symbol_interval_idx" ON "CandleRange"("venue", "symbol", "interval");

-- CreateIndex
CREATE INDEX "Backtest_workflowId_createdAt_idx" ON "Backtest"("workflowId", "createdAt");
