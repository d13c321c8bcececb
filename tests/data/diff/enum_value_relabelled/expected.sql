-- upgrade
-- rename value 'in_progress' of enum public.task_state to 'in-progress'
ALTER TYPE "public"."task_state" RENAME VALUE 'in_progress' TO 'in-progress';
-- add value 'On Hold' to enum public.task_state
ALTER TYPE "public"."task_state" ADD VALUE 'On Hold' BEFORE 'done';

-- downgrade
-- drop value 'On Hold' from enum public.task_state [destructive]
ALTER TYPE "public"."task_state" RENAME TO "task_state_retort_old";
CREATE TYPE "public"."task_state" AS ENUM ('todo', 'in-progress', 'done');
ALTER TABLE "public"."tasks" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "public"."tasks" ALTER COLUMN "state" TYPE "public"."task_state" USING "state"::text::"public"."task_state";
ALTER TABLE "public"."tasks" ALTER COLUMN "state" SET DEFAULT 'todo'::task_state;
DROP TYPE "public"."task_state_retort_old";
-- rename value 'in-progress' of enum public.task_state to 'in_progress'
ALTER TYPE "public"."task_state" RENAME VALUE 'in-progress' TO 'in_progress';
