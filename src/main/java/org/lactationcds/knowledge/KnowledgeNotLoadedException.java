package org.lactationcds.knowledge;

/**
 * Asked for the running knowledge before start-up has loaded it: the server is not ready yet, which a caller should
 * hear as "try again shortly" (503), not as a failure of the server (500).
 */
public class KnowledgeNotLoadedException extends KnowledgeException {

	public KnowledgeNotLoadedException() {
		super("the knowledge is not loaded yet: the server is starting");
	}
}
