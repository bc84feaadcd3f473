from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Routing and capacity"

    def ready(self) -> None:
        # Packages may not import routing (layering), so routing hands it the coverage rule.
        from packages.coverage import coverage_check_register
        from partners.closing import closing_answer_register
        from routing.services.coverage import manifest_places_outside_coverage
        from routing.services.reroute import packages_reassign_closed

        coverage_check_register(manifest_places_outside_coverage)
        # Partners may not import routing either: a closure's packages move by this answer.
        closing_answer_register(packages_reassign_closed)
