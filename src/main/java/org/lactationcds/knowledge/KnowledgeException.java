package org.lactationcds.knowledge;

/** The knowledge cannot be used as it is: a file that does not parse, a CQL library that does not compile. */
public class KnowledgeException extends RuntimeException {

	public KnowledgeException(String message) {
		super(message);
	}

	public KnowledgeException(String message, Throwable cause) {
		super(message, cause);
	}
}
