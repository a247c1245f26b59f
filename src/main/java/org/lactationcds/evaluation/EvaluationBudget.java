package org.lactationcds.evaluation;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;

/**
 * Runs evaluations within a time budget. The CQL engine has no cancellation, so an evaluation runs on a worker
 * thread and the caller stops waiting at its deadline; the worker is interrupted and, if the engine ignores that,
 * finishes in the background. The workers are bounded, so runaway CQL cannot take every thread of the server: when
 * all are busy, an evaluation is refused at once (reported like one that ran out of time).
 */
public final class EvaluationBudget implements DisposableBean {

	/** Enough for the HTTP threads of a busy server; beyond it the CPU is the limit anyway. */
	private static final int MAX_WORKERS = 64;

	private final Duration budget;
	private final ThreadPoolExecutor workers;

	public EvaluationBudget(Duration budget) {
		this.budget = budget;
		AtomicInteger count = new AtomicInteger();
		this.workers = new ThreadPoolExecutor(0, MAX_WORKERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
			Thread thread = new Thread(runnable, "evaluation-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	public Duration budget() {
		return budget;
	}

	/** A deadline one budget from now. */
	public long deadline() {
		return System.nanoTime() + budget.toNanos();
	}

	/**
	 * Runs {@code evaluation} and returns its result, or throws {@link OverBudgetException} once {@code deadlineNanos}
	 * ({@link System#nanoTime()} scale) has passed. Exceptions of the evaluation itself are rethrown unchecked.
	 */
	public <T> T run(Callable<T> evaluation, long deadlineNanos) {
		long remaining = deadlineNanos - System.nanoTime();
		if (remaining <= 0) {
			throw new OverBudgetException("the evaluation time budget of " + budget.toMillis() + " ms was used up");
		}
		Future<T> future;
		try {
			future = workers.submit(evaluation);
		} catch (RejectedExecutionException e) {
			throw new OverBudgetException("all " + MAX_WORKERS + " evaluation workers are busy");
		}
		try {
			return future.get(remaining, TimeUnit.NANOSECONDS);
		} catch (TimeoutException e) {
			future.cancel(true);
			throw new OverBudgetException("the evaluation exceeded the time budget of " + budget.toMillis() + " ms");
		} catch (InterruptedException e) {
			future.cancel(true);
			Thread.currentThread().interrupt();
			throw new OverBudgetException("interrupted while waiting for the evaluation");
		} catch (ExecutionException e) {
			if (e.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (e.getCause() instanceof Error error) {
				throw error;
			}
			throw new IllegalStateException(e.getCause());
		}
	}

	@Override
	public void destroy() {
		workers.shutdownNow();
	}

	/** The evaluation did not finish within its budget (or could not start). */
	public static final class OverBudgetException extends RuntimeException {
		public OverBudgetException(String message) {
			super(message);
		}
	}
}
