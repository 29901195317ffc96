"""One package per task (its estimator, network, data plans, CLI group and the
pieces the services look up through the class). setup.cfg names each package as
an ``rnn_apps.tasks`` entry point; see :mod:`rnn_apps.core.registry`."""
