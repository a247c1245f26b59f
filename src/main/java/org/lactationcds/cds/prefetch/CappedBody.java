package org.lactationcds.cds.prefetch;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body collected up to a byte limit: past it the subscription is cancelled (the connection stops being
 * read) and the body fails with {@link TooLarge}. Cancellable from outside when the call's deadline passes.
 */
final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {

	static final class TooLarge extends RuntimeException {
		TooLarge() {
			super("response body over its limit", null, false, false);
		}
	}

	private final long limit;
	private final ByteArrayOutputStream out = new ByteArrayOutputStream();
	private final CompletableFuture<byte[]> body = new CompletableFuture<>();
	private volatile Flow.Subscription subscription;

	CappedBody(long limit) {
		this.limit = limit;
	}

	@Override
	public CompletionStage<byte[]> getBody() {
		return body;
	}

	@Override
	public void onSubscribe(Flow.Subscription subscription) {
		this.subscription = subscription;
		subscription.request(Long.MAX_VALUE);
	}

	@Override
	public void onNext(List<ByteBuffer> buffers) {
		if (body.isDone()) {
			return;
		}
		for (ByteBuffer buffer : buffers) {
			if (out.size() + (long) buffer.remaining() > limit) {
				cancel();
				body.completeExceptionally(new TooLarge());
				return;
			}
			byte[] chunk = new byte[buffer.remaining()];
			buffer.get(chunk);
			out.write(chunk, 0, chunk.length);
		}
	}

	@Override
	public void onError(Throwable error) {
		body.completeExceptionally(error);
	}

	@Override
	public void onComplete() {
		body.complete(out.toByteArray());
	}

	void cancel() {
		Flow.Subscription current = subscription;
		if (current != null) {
			current.cancel();
		}
	}
}
