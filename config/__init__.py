"""The project's configuration, and no domain: settings from the environment, the root URLs
(the pages and the one JSON API, assembled from each app's routes), and the WSGI/ASGI entry
points. `seminar` and `annotations` never import it."""
