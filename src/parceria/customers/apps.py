from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "parceria.customers"
    label = "customers"

    def ready(self) -> None:
        from parceria.customers import personal_data

        personal_data.register()

        from parceria.customers.gates import gate_pilot_customers
        from parceria.partners.lifecycle import register_gate
        from parceria.partners.lifecycle_data import Gate

        register_gate(Gate.PILOT_CUSTOMERS, gate_pilot_customers)
        import parceria.customers.retention  # noqa: F401  (registers the intake rejections' retention rule)
