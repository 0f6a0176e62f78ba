// One refetchable fragment per Node type: Provider.
import { graphql } from "react-relay";

export const ProviderView = graphql`
  fragment ProviderView_provider on Provider
  @refetchable(queryName: "ProviderViewRefetchQuery") {
    id
    slug
    name
    kind
  }
`;
