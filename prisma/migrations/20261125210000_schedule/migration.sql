-- AlterTable
ALTER TABLE "Workflow" ADD COLUMN "scheduleSeconds" INTEGER;
