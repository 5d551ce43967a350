// The reading page: the annotator (static/js/annotator/). A module script runs after the
// document is parsed, so the body and the margin are in place.
import { start } from "./annotator/app.js";

start();
