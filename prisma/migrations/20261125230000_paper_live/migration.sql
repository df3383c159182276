-- CreateTable
CREATE TABLE "PaperAccount" (
    "workflowId" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "LiveArming" (
    "workflowId" TEXT NOT NULL PRIMARY KEY,
    "venue" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "maxOrderValue" REAL NOT NULL,
    "maxPositionValue" REAL NOT NULL,
    "armedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL
);

-- AlterTable
ALTER TABLE "Workflow" ADD COLUMN "scheduleMode" TEXT;
