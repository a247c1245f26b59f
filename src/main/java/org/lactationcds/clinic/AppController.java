package org.lactationcds.clinic;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The clinic app's entry points: the server's root leads to the app, and {@code /app/} is its search page. */
@Controller
class AppController {

	@GetMapping("/")
	String root() {
		return "redirect:/app/";
	}

	@GetMapping("/app")
	String appWithoutSlash() {
		return "redirect:/app/";
	}

	@GetMapping("/app/")
	String app() {
		return "forward:/app/index.html";
	}
}
