// The reading page: the annotator (static/js/annotator/), and for staff the passage heat map.
// A module script runs after the document is parsed, so the body and the margin are in place.
import { start } from "./annotator/app.js";
import { startHeatMap } from "./annotator/heatmap.js";

start();
startHeatMap();
